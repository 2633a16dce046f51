with

source as (

    select * from {{ latest_version(source('inventory', 'lake_runs'), ['lake_run_id']) }}

),

final as (

    select
        lake_run_id,
        finished_at,
        cast(warehouses as integer) as warehouse_count,
        cast(products as integer) as product_count,
        cast(products_synced as integer) as products_synced,
        cast(products_refused as integer) as products_refused,
        cast(products_failed as integer) as products_failed,
        cast(lot_calls as integer) as lot_calls,
        cast(lot_calls_failed as integer) as lot_calls_failed,
        cast(lots as integer) as lot_count,
        cast(api_calls as integer) as api_calls,
        cast(retries as integer) as retries

    from source

)

select * from final
