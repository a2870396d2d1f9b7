-- A transfer's two linked requests (seed 003 item 11): which step a request is, the request it
-- serves, and when the contact letter went out and the information sheet came back — the
-- days each step's deadline runs from.
ALTER TABLE service_request
    ADD COLUMN step           text,
    ADD COLUMN linked_request uuid,
    ADD COLUMN letter_on      date,
    ADD COLUMN sheet_on       date;
