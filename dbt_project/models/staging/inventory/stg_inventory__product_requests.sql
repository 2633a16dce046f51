with

source as (

    select * from {{ latest_version(source('inventory', 'product_requests'), ['product_id', 'lake_run_id']) }}

),

final as (

    select
        lake_run_id,
        cast(product_id as bigint) as product_id,
        cast(status as integer) as http_status,
        outcome,
        error as error_message,
        fetched_at

    from source

)

select * from final
