from bot.inbound import Inbound, clip_message


def test_a_message_within_the_limit_is_unchanged() -> None:
    assert clip_message("Nos serveurs plantent.", limit=22) == Inbound(
        "Nos serveurs plantent.", False
    )


def test_a_longer_message_is_cut_at_the_limit_and_says_so() -> None:
    assert clip_message("é" * 11, limit=10) == Inbound("é" * 10, True)


def test_the_default_limit_is_the_setting(monkeypatch) -> None:
    from bot import settings

    settings.get_settings.cache_clear()
    monkeypatch.setenv("MAX_MESSAGE_LENGTH", "5")
    try:
        assert clip_message("abcdefgh") == Inbound("abcde", True)
    finally:
        settings.get_settings.cache_clear()
