"""Test doubles for Telegram: a fake Bot API server, an echo-bot baseline and a load harness.

bot_api.FakeBotAPI is the server; echo_bot the baseline bot; runners start a bot under test
(in process or as a subprocess); load.closed_loop drives it. Nothing is imported here, so
that `python -m tests.fakes.bot_api` and `python -m tests.fakes.echo_bot` run cleanly.
"""
