with

source as (

    select * from {{ latest_version(source('inventory', 'warehouses'), ['id', 'lake_run_id']) }}

),

final as (

    select
        lake_run_id,
        cast(id as bigint) as warehouse_id,
        name as warehouse_name,
        address,
        enabled as is_enabled,
        fetched_at

    from source

)

select * from final
