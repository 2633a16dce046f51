with

source as (

    select * from {{ source('inventory', 'warehouses') }}

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
