{#- The `date` of the daily statistics (domain §4): the calendar date of a timestamptz in one
    configured zone, var `automation_stats_time_zone` (default UTC), never the session's zone.
    Changing the var changes which day a row belongs to: rebuild with --full-refresh. -#}
{% macro automation_stats_date(column) -%}
    {{ local_date(column, var('automation_stats_time_zone')) }}
{%- endmacro %}
