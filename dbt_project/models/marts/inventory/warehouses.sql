with

warehouses as (

    select * from {{ ref('stg_inventory__warehouses') }}

),

{# Each warehouse's newest download, not the current lake run: a warehouse no longer listed keeps
    its last version here (stock that fell back to an older answer may still name it). #}
newest as (

    select
        warehouse_id,
        max(lake_run_id) as lake_run_id
    from warehouses
    group by warehouse_id

),

final as (

    select
        warehouses.warehouse_id,
        {{ inventory_warehouse_code('warehouses.warehouse_name') }} as code,
        warehouses.warehouse_name as name,  -- noqa: RF04
        warehouses.address,
        cast(warehouses.warehouse_id as {{ dbt.type_string() }}) as external_id,
        'relbase' as source,  -- noqa: RF04
        warehouses.is_enabled as is_active
    from warehouses
    inner join newest
        on
            warehouses.warehouse_id = newest.warehouse_id
            and warehouses.lake_run_id = newest.lake_run_id

)

select * from final
