-- expect: 2: DO runs code
DO $$ BEGIN EXECUTE 'select 1'; END $$;
