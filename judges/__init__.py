"""Teachers, pairwise judging, Bradley-Terry aggregation and soft labels."""
