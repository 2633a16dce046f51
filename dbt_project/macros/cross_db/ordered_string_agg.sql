{#- Ordered string aggregation: the values of `expr` joined with `delimiter` in `order_by` order.
    Engine-specific: add a variant per adapter (e.g. spark: array_join(sort_array(...))). -#}
{% macro ordered_string_agg(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'logistics_elt')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{#- Spark: listagg/string_agg ignore ORDER BY, so the pairs (order, value) are collected, sorted and
    joined (a null order sorts first, as nulls do in collect_list's sort; null values are dropped). -#}
{% macro spark__ordered_string_agg(expr, delimiter, order_by) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ order_by }} as sort_key, {{ expr }} as sort_value))),
            pair -> pair.sort_value
        ),
        '{{ delimiter }}'
    )
{%- endmacro %}
