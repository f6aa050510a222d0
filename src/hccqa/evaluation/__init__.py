"""Evaluation: gold sets (GOLD_FORMAT.md), metrics, scoring runs and reports."""
