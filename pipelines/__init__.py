"""The build, export and audit commands that compose the stages."""
