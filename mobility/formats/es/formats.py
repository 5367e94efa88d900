# Numbers in Spanish as Spanish speakers in the United States read them (CLDR es-US): a decimal
# point and comma groups, like metrics/charts/formatting.py, so a value printed by Django's
# localisation (floatformat, intcomma) agrees with one printed by the metric formatter.
# Dates keep Django's Spanish formats. See docs/metrics.md, "Units".
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
