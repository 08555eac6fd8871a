"""Kohtaamo: a Discord bot for peer-support communities."""
