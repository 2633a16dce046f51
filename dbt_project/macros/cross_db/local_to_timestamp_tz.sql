{#- A local wall-clock timestamp (without zone) in a named time zone (IANA name) as timestamptz. -#}
{% macro local_to_timestamp_tz(column, time_zone) -%}
    {{ return(adapter.dispatch('local_to_timestamp_tz', 'logistics_elt')(column, time_zone)) }}
{%- endmacro %}

{% macro default__local_to_timestamp_tz(column, time_zone) -%}
    ({{ column }} at time zone '{{ time_zone }}')
{%- endmacro %}

{% macro spark__local_to_timestamp_tz(column, time_zone) -%}
    to_utc_timestamp({{ column }}, '{{ time_zone }}')
{%- endmacro %}
