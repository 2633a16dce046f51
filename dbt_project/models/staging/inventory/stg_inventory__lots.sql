with

source as (

    select * from {{ latest_version(source('inventory', 'lots'), ['product_id', 'warehouse_id', 'id', 'lake_run_id']) }}

),

final as (

    select
        lake_run_id,
        cast(product_id as bigint) as product_id,
        cast(warehouse_id as bigint) as warehouse_id,
        cast(id as bigint) as lot_id,
        lot_serial_number as lot_number,
        cast(stock as numeric(18, 3)) as quantity,
        expiration_date,
        fetched_at

    from source

)

select * from final
