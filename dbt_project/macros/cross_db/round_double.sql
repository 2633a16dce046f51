{#- A double rounded to `digits` decimals the same way on every engine (through a decimal). -#}
{% macro round_double(expr, digits) -%}
    cast(round(cast({{ expr }} as numeric(18, 9)), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
