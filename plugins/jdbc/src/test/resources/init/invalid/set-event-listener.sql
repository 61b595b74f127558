-- expect: 2: SET DATABASE_EVENT_LISTENER loads code
SET DATABASE_EVENT_LISTENER 'com.example.Evil';
