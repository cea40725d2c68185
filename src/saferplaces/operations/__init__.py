"""Running an installation: backups that restore (``saferplaces backup``)."""
