{#- A timestamptz as a UTC timestamp without zone, comparable with snapshot times (the warehouse
    sessions run in UTC). -#}
{% macro to_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'logistics_elt')(expr)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    cast({{ expr }} at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- Spark: a timestamp already is an instant, shown in the session zone (UTC). -#}
{% macro spark__to_utc_timestamp(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}
