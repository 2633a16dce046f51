with

products as (

    select * from {{ ref('stg_inventory__products') }}

),

product_requests as (

    select * from {{ ref('stg_inventory__product_requests') }}

),

{# Each product's newest download, not the current lake run: a product no longer listed keeps its
    last version here (current stock counts only the products the current lake run lists). #}
newest as (

    select
        product_id,
        max(lake_run_id) as lake_run_id
    from products
    group by product_id

),

last_request as (

    select
        product_id,
        outcome,
        fetched_at,
        row_number() over (partition by product_id order by lake_run_id desc) as recency
    from product_requests

),

final as (

    select
        products.product_id,
        cast(products.product_id as {{ dbt.type_string() }}) as external_id,
        products.sku,
        products.product_name as name,  -- noqa: RF04
        products.barcode,
        products.is_inventory,
        coalesce(upper(products.sku) like 'ANU%', false) as is_retired,
        last_request.outcome as last_sync_outcome,
        last_request.fetched_at as last_synced_at
    from products
    inner join newest
        on
            products.product_id = newest.product_id
            and products.lake_run_id = newest.lake_run_id
    left join last_request
        on
            products.product_id = last_request.product_id
            and last_request.recency = 1

)

select * from final
