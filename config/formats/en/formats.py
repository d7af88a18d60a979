# Dates for international readers: day, short month name, year ("27 Nov 2026"),
# never the ambiguous 11/27/2026. Everything not set here is Django's English.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_YEAR_FORMAT = "F Y"
