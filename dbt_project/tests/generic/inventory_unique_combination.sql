{#- Primary key over several columns: no combination of `columns` appears twice, none is null. -#}
{% test inventory_unique_combination(model, columns) %}

with

keyed as (

    select {{ columns | join(', ') }}
    from {{ model }}

),

duplicated as (

    select {{ columns | join(', ') }}
    from keyed
    group by {{ columns | join(', ') }}
    having count(*) > 1

),

nulls as (

    select {{ columns | join(', ') }}
    from keyed
    where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}

),

final as (

    select * from duplicated
    union all
    select * from nulls

)

select * from final

{% endtest %}
