{#- A time of day from integer hour and minute. -#}
{% macro time_from_parts(hour, minute) -%}
    {{ return(adapter.dispatch('time_from_parts', 'logistics_elt')(hour, minute)) }}
{%- endmacro %}

{% macro default__time_from_parts(hour, minute) -%}
    make_time({{ hour }}, {{ minute }}, 0)
{%- endmacro %}

{#- Spark has no time-of-day type in its parquet tables: the time as `HH:MM:SS` text. -#}
{% macro spark__time_from_parts(hour, minute) -%}
    format_string('%02d:%02d:00', {{ hour }}, {{ minute }})
{%- endmacro %}
