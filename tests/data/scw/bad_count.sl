$ ScenarioWizard 3.0
Solution set
 4 

" 2 3 2",4,0,0,15,""
" 3 1 3",12,1,0,12,""
