<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CaregiversModel</name>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n waiting</numerusform>
            <numerusform>%n waiting</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EventsPanel</name>
    <message numerus="yes">
        <source>The %n newest events</source>
        <translation>
            <numerusform>The newest event</numerusform>
            <numerusform>The %n newest events</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) among them</source>
        <translation>
            <numerusform>%n alert among them</numerusform>
            <numerusform>%n alerts among them</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message numerus="yes">
        <source>Wrong PIN. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Wrong PIN. %n try left before a lockout.</numerusform>
            <numerusform>Wrong PIN. %n tries left before a lockout.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrong code. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Wrong code. %n try left before a lockout.</numerusform>
            <numerusform>Wrong code. %n tries left before a lockout.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrong set-up code. %n try(s) left before a lockout.</source>
        <translation>
            <numerusform>Wrong set-up code. %n try left before a lockout.</numerusform>
            <numerusform>Wrong set-up code. %n tries left before a lockout.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ParentPage</name>
    <message numerus="yes">
        <source>Requests and alerts (%n)</source>
        <translation>
            <numerusform>Requests and alerts (%n)</numerusform>
            <numerusform>Requests and alerts (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) waiting for your answer.</source>
        <translation>
            <numerusform>%n request is waiting for your answer.</numerusform>
            <numerusform>%n requests are waiting for your answer.</numerusform>
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
    <name>QueryLogTableModel</name>
    <message numerus="yes">
        <source>Asked %n time(s) within the minute</source>
        <translation>
            <numerusform>Asked once within the minute</numerusform>
            <numerusform>Asked %n times within the minute</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RequestsTab</name>
    <message numerus="yes">
        <source>%n request(s) waiting for your answer.</source>
        <translation>
            <numerusform>%n request is waiting for your answer.</numerusform>
            <numerusform>%n requests are waiting for your answer.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message numerus="yes">
        <source>%n try(ies) left before a pause.</source>
        <translation>
            <numerusform>%n try left before a pause.</numerusform>
            <numerusform>%n tries left before a pause.</numerusform>
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
