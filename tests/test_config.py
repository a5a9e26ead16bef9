from jointprobe.config import Settings


def test_secrets_stay_out_of_reprs() -> None:
    settings = Settings(
        database_url="postgresql+psycopg://u:hunter2@db/x", session_secret="s3cr3t-value"
    )
    text = repr(settings)
    assert "hunter2" not in text and "s3cr3t-value" not in text
