"""The channel-independent core: it imports no channel, no storage and no file format."""
