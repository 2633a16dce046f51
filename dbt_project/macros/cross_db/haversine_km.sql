{#- Great-circle distance in km between two points in degrees (mean Earth radius 6371.0088 km). -#}
{% macro haversine_km(lat1, lon1, lat2, lon2) -%}
    {{ return(adapter.dispatch('haversine_km', 'logistics_elt')(lat1, lon1, lat2, lon2)) }}
{%- endmacro %}

{% macro default__haversine_km(lat1, lon1, lat2, lon2) -%}
    {%- set a -%}
        sqrt(
            power(sin(radians({{ lat2 }} - {{ lat1 }}) / 2), 2)
            + cos(radians({{ lat1 }})) * cos(radians({{ lat2 }}))
            * power(sin(radians({{ lon2 }} - {{ lon1 }}) / 2), 2)
        )
    {%- endset -%}
    {#- clamp rounding above 1 with case, not least(): least() ignores nulls -#}
    (2 * 6371.0088 * asin(case when {{ a }} > 1 then 1.0 else {{ a }} end))
{%- endmacro %}
