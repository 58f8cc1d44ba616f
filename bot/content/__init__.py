"""Loaders and validation for the content tree (booklet, flows, referrals): YAML in, model out."""
