{#- The `_dlt_loads` tables of every raw schema (`raw_<source>`) present in the warehouse when the
    model is built: new sources appear on the next build without a code change. -#}
{% macro dlt_loads_relations() -%}
    {%- set relations = [] -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_schema from information_schema.tables"
            ~ " where table_name = '_dlt_loads' and table_schema like 'raw\\_%' escape '\\'"
            ~ " order by table_schema"
        ) -%}
        {%- for row in found.rows -%}
            {%- do relations.append(api.Relation.create(
                database=target.database, schema=row[0], identifier='_dlt_loads'
            )) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(relations) }}
{%- endmacro %}
