"""Time in the model: one unit of simulated time is one year, from 1 January of the first simulated year.

Every conversion from the scenario's units (months, weeks, days, hours) goes through these constants, so the
model has one calendar. A year is 365.25 days; a month is exactly 1/12 year (see ``levers.years_since``).
"""

YEAR = 1.0
DAYS_PER_YEAR = 365.25
HOURS_PER_YEAR = 24.0 * DAYS_PER_YEAR
WEEKS_PER_YEAR = DAYS_PER_YEAR / 7.0
MONTH = 1.0 / 12.0
DAY = 1.0 / DAYS_PER_YEAR
HOUR = 1.0 / HOURS_PER_YEAR
