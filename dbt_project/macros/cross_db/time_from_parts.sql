{#- A time of day from integer hour and minute. -#}
{% macro time_from_parts(hour, minute) -%}
    {{ return(adapter.dispatch('time_from_parts', 'logistics_elt')(hour, minute)) }}
{%- endmacro %}

{% macro default__time_from_parts(hour, minute) -%}
    make_time({{ hour }}, {{ minute }}, 0)
{%- endmacro %}

{#- Spark's TIME type (Spark 4.1+, on with `spark.sql.timeType.enabled`, set in the profile). -#}
{% macro spark__time_from_parts(hour, minute) -%}
    cast(format_string('%02d:%02d:00', {{ hour }}, {{ minute }}) as time)
{%- endmacro %}
