-- expect: 3: CREATE TRIGGER ... AS or CALL runs Java code
CREATE TABLE t (id INT);
CREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW AS $$org.h2.api.Trigger create() { return null; }$$;
