{#- A timestamp with time zone (dlt's `timestamp`); a Spark target would add spark__type_timestamp_tz. -#}
{% macro type_timestamp_tz() -%}
    {{ return(adapter.dispatch('type_timestamp_tz', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__type_timestamp_tz() -%}
    timestamp with time zone
{%- endmacro %}

{#- Spark: `timestamp` is an instant (timestamp with local time zone). -#}
{% macro spark__type_timestamp_tz() -%}
    timestamp
{%- endmacro %}
