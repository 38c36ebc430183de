"""The network team's desk: staff commands in, what to send out; follow-up posts for the staff
chat. Outside any one adapter: Telegram, the command line and the web review share it."""

from bot.staff._desk import STAFF_COMMANDS, Staff, StaffDesk
from bot.staff._posts import StaffPosts

__all__ = ["STAFF_COMMANDS", "Staff", "StaffDesk", "StaffPosts"]
