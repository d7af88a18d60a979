# Chinese dates as readers write them ("2026年11月27日 09:30"); numbers keep the
# comma every three digits (39,700), as Chinese business documents do.
# Everything not set here is Django's zh_Hans.
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_YEAR_FORMAT = "Y年n月"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
