from tests.fakes import Chat


async def test_menu_after_consent(agreed: Chat) -> None:
    assert agreed.labels() == [
        "Read the booklet",
        "Do an exercise",
        "Get help now",
        "Language",
        "Privacy",
    ]
