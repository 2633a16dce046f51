{#- The calendar date of a timestamptz in a named time zone (IANA name).
    Engine-specific: add a dispatch variant per adapter, e.g. spark__local_date using
    to_date(from_utc_timestamp(...)). -#}
{% macro local_date(column, time_zone) -%}
    {{ return(adapter.dispatch('local_date', 'logistics_elt')(column, time_zone)) }}
{%- endmacro %}

{% macro default__local_date(column, time_zone) -%}
    cast(({{ column }} at time zone '{{ time_zone }}') as date)
{%- endmacro %}

{#- Spark: timestamps are instants shown in the session zone (UTC, set by the profile). -#}
{% macro spark__local_date(column, time_zone) -%}
    to_date(from_utc_timestamp({{ column }}, '{{ time_zone }}'))
{%- endmacro %}
