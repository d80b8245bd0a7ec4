"""One chat/scoring interface over model backends, and the offline stand-in."""
