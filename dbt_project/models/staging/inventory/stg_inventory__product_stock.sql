with

source as (

    select * from {{ source('inventory', 'product_stock') }}

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
