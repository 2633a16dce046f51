with

source as (

    select * from {{ latest_version(
        source('inventory', 'product_stock'), ['product_id', 'ware_house_id', 'lake_run_id'],
    ) }}

),

final as (

    select
        lake_run_id,
        cast(product_id as bigint) as product_id,
        cast(ware_house_id as bigint) as warehouse_id,
        cast(stock as numeric(18, 3)) as stock,
        fetched_at

    from source

)

select * from final
