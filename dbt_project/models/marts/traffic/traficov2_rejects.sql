{%- set tables = [
    ('arribos', 'int_traffic__arribos_validated', 'booking'),
    ('pendiente_desconsolidar', 'int_traffic__pendiente_desconsolidar_validated', 'null'),
    ('remisiones', 'int_traffic__remisiones_validated', 'booking'),
    ('arribos_expo_ctns', 'int_traffic__arribos_expo_ctns_validated', 'booking'),
] -%}

with

{% for source_table, model, booking in tables -%}
{{ source_table }} as (

    select * from {{ ref(model) }}

),

{% endfor -%}

rejected as (

    {%- for source_table, model, booking in tables %}
    select
        '{{ source_table }}' as source_table,
        source_id,
        source_row,
        contenedor_source as contenedor,
        cast({{ booking }} as {{ dbt.type_string() }}) as booking,
        rejection_reasons as reasons,
        loaded_at

    from {{ source_table }}
    where rejection_reasons is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        source_table || ':' || cast(source_row as {{ dbt.type_string() }}) as reject_id,
        source_table,
        source_id,
        source_row,
        contenedor,
        booking,
        reasons,
        cast(loaded_at as timestamp) as loaded_at

    from rejected

)

select * from final
