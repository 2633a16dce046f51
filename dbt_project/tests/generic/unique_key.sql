{#- The primary-key test of a key over several columns: fails on every combination of `columns`
    that appears more than once, and on every row where any of them is null (a `unique` test on a
    concatenation lets such rows escape: the concatenation is null). Quote a column that needs it
    (`'"Contenedor"'`): it is quoted again as the warehouse quotes (backticks on Spark). -#}
{% test unique_key(model, columns) %}
{%- set quoted = [] -%}
{%- for column in columns -%}
    {%- do quoted.append(adapter.quote(column[1:-1]) if column.startswith('"') else column) -%}
{%- endfor -%}
{%- set columns = quoted -%}

with

keyed as (

    select {{ columns | join(', ') }}
    from {{ model }}

),

duplicated as (

    select
        {{ columns | join(', ') }},
        'duplicate' as failure
    from keyed
    group by {{ columns | join(', ') }}
    having count(*) > 1

),

with_null as (

    select
        {{ columns | join(', ') }},
        'null in the key' as failure
    from keyed
    where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}

),

final as (

    select * from duplicated
    union all
    select * from with_null

)

select * from final

{% endtest %}
