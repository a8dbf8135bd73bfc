"""The library's French assistant about peer work: settings, safety, bibliography, channels, CLI."""
