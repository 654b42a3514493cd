"""Computed from long tables: summaries, economics, forecasts, calibration, back-tests, sensitivity. No files, no
HTML."""
