"""Scenario worlds, dialogue realizers, query writers per skill, and hard negatives."""
