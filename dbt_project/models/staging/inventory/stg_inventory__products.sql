with

source as (

    select * from {{ latest_version(source('inventory', 'products'), ['id', 'lake_run_id']) }}

),

final as (

    select
        lake_run_id,
        cast(id as bigint) as product_id,
        code as sku,
        name as product_name,
        barcode,
        is_inventory,
        fetched_at

    from source

)

select * from final
