-- expect: 2: CREATE TRIGGER ... AS or CALL runs Java code
CREATE TRIGGER t_ins BEFORE INSERT ON t FOR EACH ROW CALL "com.example.Evil";
