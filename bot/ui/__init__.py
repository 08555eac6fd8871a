"""Discord glue shared by the cogs: views, modals, persistent buttons, replies."""
