{#- dlt's `_dlt_loads` of the four raw schemas; a schema not landed yet reads as empty. -#}
{%- set load_columns = [
    ('load_id', dbt.type_string()), ('status', dbt.type_bigint()), ('inserted_at', type_timestamp_tz()),
] -%}

with

automation_loads as (

    select * from {{ source_or_empty(source('automation', '_dlt_loads'), load_columns) }}

),

fleet_loads as (

    select * from {{ source_or_empty(source('fleet', '_dlt_loads'), load_columns) }}

),

inventory_loads as (

    select * from {{ source_or_empty(source('inventory', '_dlt_loads'), load_columns) }}

),

traffic_loads as (

    select * from {{ source_or_empty(source('traffic', '_dlt_loads'), load_columns) }}

),

loads as (

    select
        'raw_automation' as raw_schema,
        load_id,
        status,
        inserted_at
    from automation_loads

    union all

    select
        'raw_fleet' as raw_schema,
        load_id,
        status,
        inserted_at
    from fleet_loads

    union all

    select
        'raw_inventory' as raw_schema,
        load_id,
        status,
        inserted_at
    from inventory_loads

    union all

    select
        'raw_traffic' as raw_schema,
        load_id,
        status,
        inserted_at
    from traffic_loads

),

final as (

    select
        {{ dbt.concat(['raw_schema', "'|'", 'load_id']) }} as load_key,
        raw_schema,
        {{ dbt.replace('raw_schema', "'raw_'", "''") }} as source_name,
        load_id,
        status as load_status,
        inserted_at as loaded_at
    from loads

)

select * from final
