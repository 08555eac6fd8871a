"""Thin adapters: parse an interaction, call a service, render through i18n, respond."""
