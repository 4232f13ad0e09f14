<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>LoginPage</name>
    <message numerus="yes">
        <source>Wrong PIN. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Wrong PIN. %n try left before a lockout.</numerusform>
            <numerusform>Wrong PIN. %n tries left before a lockout.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QueryLogTab</name>
    <message numerus="yes">
        <source>The %n newest queries</source>
        <translation>
            <numerusform>The newest query</numerusform>
            <numerusform>The %n newest queries</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatusBanner</name>
    <message numerus="yes">
        <source>%n block list(s)</source>
        <translation>
            <numerusform>%n block list</numerusform>
            <numerusform>%n block lists</numerusform>
        </translation>
    </message>
</context>
</TS>
