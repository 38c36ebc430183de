"""The edges of Scaling Advisor: Telegram, the terminal chat, the command line, settings."""
